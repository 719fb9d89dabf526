# Palisade only (2.9 never returns from these): a script that runs away
# is stopped after its instruction budget, also when it catches the error
# with pcall; the rule fails ("Rule processing failed") and the next rules
# run.
--CONF--
SecRuleEngine On
SecRuleScript loop.lua "id:5101,phase:1,deny"
SecRuleScript stubborn.lua "id:5102,phase:1,deny"
SecRule ARGS "@rx ." "id:5103,phase:1,pass,log,msg:'after'"
--FILE loop.lua--
function main()
    while true do end
end
--FILE stubborn.lua--
function main()
    while true do
        pcall(function() while true do end end)
    end
end
--REQUEST--
GET /index.html?a=1 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-contains ^ModSecurity: Lua: Script execution failed: /[^ ]*/loop\.lua: stopped after 200 million instructions \(runaway script\) \[hostname
log-contains ^ModSecurity: Rule processing failed \(id=5101, msg=\)\. \[hostname
log-contains ^ModSecurity: Lua: Script execution failed: /[^ ]*/stubborn\.lua: stopped after
log-contains ^ModSecurity: Rule processing failed \(id=5102, msg=\)\. \[hostname
id 5103
