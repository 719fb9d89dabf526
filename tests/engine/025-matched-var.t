# MATCHED_VAR / MATCHED_VAR_NAME hold the last match; MATCHED_VARS in a
# chained rule holds what the previous rule matched, and the log names the
# original variable (ARGS:c, not MATCHED_VARS:ARGS:c).
--CONF--
SecRuleEngine On
SecRule ARGS "@rx ^bad" "id:2501,phase:2,pass,nolog,setvar:'tx.mv=%{MATCHED_VAR}',setvar:'tx.mvn=%{MATCHED_VAR_NAME}'"
SecRule ARGS "@rx ^bad" "id:2502,phase:2,deny,log,chain"
    SecRule MATCHED_VARS "@streq bad3" "t:none"
SecRule ARGS "@rx ^bad" "id:2503,phase:2,pass,log,chain"
    SecRule MATCHED_VARS_NAMES "@streq ARGS:a" "t:none"
--REQUEST--
GET /?a=good&b=bad2&c=bad3 HTTP/1.1
Host: localhost

--EXPECT--
tx mv bad3
tx mvn ARGS:c
intercepted 1
rule-id 2502
log-contains String match "bad3" at ARGS:c\.
no-id 2503
