# Palisade only: what would end the web server's process or lift a
# script's bounds is refused (os.exit(), debug.sethook(), __gc finalizers,
# which Lua runs with hooks off), and a state's memory is capped; each of
# these fails its rule.  (2.9's child process exits at os.exit().)  A
# script error is logged as 2.9 logs it.
--CONF--
SecRuleEngine On
SecRuleScript exit.lua "id:5151,phase:1,deny"
SecRuleScript hog.lua "id:5152,phase:1,deny"
SecRuleScript error.lua "id:5153,phase:1,deny"
SecRuleScript gc.lua "id:5154,phase:1,deny"
SecRuleScript hook.lua "id:5155,phase:1,deny"
SecRule ARGS "@rx ." "id:5156,phase:1,pass,log,msg:'after'"
--FILE exit.lua--
function main() os.exit(1) end
--FILE hog.lua--
function main()
    local t = {}
    while true do t[#t + 1] = string.rep("x", 1048576) .. #t end
end
--FILE error.lua--
function main() local t = nil; return t.field end
--FILE gc.lua--
function main()
    setmetatable({}, {__gc = function() while true do end end})
    return "finalizer set"
end
--FILE hook.lua--
function main()
    debug.sethook()
    while true do end
end
--REQUEST--
GET /index.html?a=1 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-contains ^ModSecurity: Lua: Script execution failed: .*os\.exit\(\) is not available
log-contains ^ModSecurity: Rule processing failed \(id=5151, msg=\)\.
log-contains ^ModSecurity: Lua: Script execution failed: not enough memory \[hostname
log-contains ^ModSecurity: Rule processing failed \(id=5152, msg=\)\.
log-contains ^ModSecurity: Lua: Script execution failed: /[^ ]*/error\.lua:1: attempt to index a nil value
log-contains ^ModSecurity: Lua: Script execution failed: /[^ ]*/gc\.lua:2: __gc metamethods are not available
log-contains ^ModSecurity: Lua: Script execution failed: /[^ ]*/hook\.lua:2: attempt to call a nil value \(field 'sethook'\)
log-contains ^ModSecurity: Rule processing failed \(id=5155, msg=\)\.
id 5156
