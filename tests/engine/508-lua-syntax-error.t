# A script that does not compile is a configuration error at the line of
# the directive, with Lua's message (file and line in the script).
--CONF--
SecRuleEngine On

SecRuleScript broken.lua "id:5081,phase:1,deny"
--FILE broken.lua--
function main()
    return "unterminated
end
--EXPECT--
error-contains Failed to compile script /[^ ]*/broken\.lua: /[^ ]*/broken\.lua:2: unfinished string
error-line 3
