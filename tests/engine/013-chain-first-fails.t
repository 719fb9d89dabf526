# When the chain starter does not match, the chained rules are not run.
--CONF--
SecRuleEngine On
SecRule ARGS:a "@rx nomatch" "id:1301,phase:2,deny,log,chain"
    SecAction "setvar:tx.reached=1"
--REQUEST--
GET /?a=attack HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
no-id 1301
no-tx reached
