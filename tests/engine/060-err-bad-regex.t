# A regex that does not compile.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx a(b" "id:6001,phase:2,deny"
--EXPECT--
error-contains main\.conf:2: .*Error compiling pattern
