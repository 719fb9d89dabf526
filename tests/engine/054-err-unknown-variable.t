# Unknown variable.
--CONF--
SecRuleEngine On
SecRule NOSUCHVAR "@rx x" "id:5401,phase:2,deny"
--EXPECT--
error-contains main\.conf:2: .*Unknown variable: NOSUCHVAR
