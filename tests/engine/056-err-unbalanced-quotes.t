# A quote left open in the operator: the words are split as httpd does, so
# the operator ends at the next quote and the actions are what follows,
# with a stray quote at their end.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx x "id:5601,phase:2,deny"
--EXPECT--
error-contains main\.conf:2: .*Unknown action: deny"
