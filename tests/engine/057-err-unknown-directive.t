# A Sec* directive that does not exist is an error; other modules'
# directives are ignored.
--CONF--
SecRuleEngine On
ServerTokens Prod
SecRuleEngin On
--EXPECT--
error-contains main\.conf:3: Invalid command 'SecRuleEngin'
