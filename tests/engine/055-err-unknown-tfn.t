# Unknown transformation.
--CONF--
SecRuleEngine On
SecRule ARGS "@rx x" "id:5501,phase:2,deny,t:nosuchtfn"
--EXPECT--
error-contains main\.conf:2: .*Invalid transformation function: nosuchtfn
