# Every rule needs an id.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx x" "phase:2,deny"
--EXPECT--
error-contains main\.conf:2: .*No action id present within the rule
