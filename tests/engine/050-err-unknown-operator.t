# Unknown operator: the error names the file, the line and the operator.
--CONF--
SecRuleEngine On

SecRule ARGS "@nosuchop x" "id:5001,phase:2,deny"
--EXPECT--
error-contains main\.conf:3: .*Failed to resolve operator: nosuchop
error-line 3
