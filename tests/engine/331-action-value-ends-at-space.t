# An unquoted action value ends at white space, as in 2.9: "x y" is the
# value "x" followed by an action named "y".
--CONF--
SecRuleEngine On
SecAction "id:3311,phase:1,pass,nolog,setvar:tx.a=x y"
--EXPECT--
error-contains Unknown action: y
