# A missing script is a configuration error for SecRuleScript, exec and
# @inspectFile alike (each is compiled when the configuration is read).
--CONF--
SecRuleEngine On
SecRule ARGS "@rx x" "id:5091,phase:1,pass,exec:@DIR@/nothere.lua"
--EXPECT--
error-contains Failed to compile script /[^ ]*/nothere\.lua: cannot open /[^ ]*/nothere\.lua
error-line 2
