# An invalid phase (ModSecurity 2.9 only says it could not add the rule).
--CONF--
SecRuleEngine On
SecRule ARGS "@rx x" "id:5901,phase:9,deny"
--EXPECT--
error-contains main\.conf:2: .*([Pp]hase|Failed to add rule to the ruleset)
