# SecRuleScript: main() returning a string is a match, and the string is
# the message, as 2.9 logs it (no "Lua script matched." text of its own);
# the rule's actions apply as for SecRule.  m.log at levels 1-3 reaches the
# error log, at 4 and above only the debug log.  The script's name is
# relative to the configuration file.
--CONF--
SecRuleEngine On
SecRuleScript lua/deny.lua "id:5001,phase:2,deny,msg:'Lua says no',severity:2,tag:'lua'"
SecRule ARGS "@rx ." "id:5002,phase:2,pass,log,msg:'not reached'"
--FILE lua/deny.lua--
function main()
    local q = m.getvar("ARGS.q")
    m.log(2, "deny.lua saw " .. tostring(q))
    m.log(9, "debug only")
    if q ~= nil and string.find(q, "attack", 1, true) then
        return "Attack found in ARGS:q: " .. q
    end
    return nil
end
--REQUEST--
GET /index.html?q=an+attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
status 403
phase 2
rule-id 5001
log-count 2
log-contains ^ModSecurity: deny\.lua saw an attack \[hostname "localhost"\] \[uri "/index\.html"\] \[unique_id "[^"]+"\]$
log-contains ^ModSecurity: Access denied with code 403 \(phase 2\)\. Attack found in ARGS:q: an attack \[file "[^"]*/main\.conf"\] \[line "2"\] \[id "5001"\] \[msg "Lua says no"\] \[severity "CRITICAL"\] \[tag "lua"\] \[hostname "localhost"\] \[uri "/index\.html"\] \[unique_id "[^"]+"\]$
no-log-contains debug only
no-id 5002
