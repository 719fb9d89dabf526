# Two rules with the same id.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx x" "id:5201,phase:2,deny"
SecRule ARGS "@rx y" \
    "id:5201,phase:2,deny"
--EXPECT--
error-contains main\.conf:4: .*Found another rule with the same id
error-line 4
