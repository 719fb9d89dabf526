# Unknown action.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx x" "id:5301,phase:2,deny,nosuchaction"
--EXPECT--
error-contains main\.conf:2: .*Unknown action: nosuchaction
