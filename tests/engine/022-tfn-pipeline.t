# Transformations apply in order; the log names the variable, the
# operator sees the transformed value.
--CONF--
SecRuleEngine On
SecRule ARGS:q "@streq select" "id:2201,phase:2,deny,log,t:none,t:lowercase,t:removeWhitespace"
--REQUEST--
GET /?q=SE%20LE%20CT HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 2201
log-contains String match "select" at ARGS:q\.
