# Decoding transformations in a chain of several steps.
--CONF--
SecRuleEngine On
SecRule ARGS:x "@contains <script>" "id:2401,phase:2,deny,log,t:none,t:base64Decode,t:htmlEntityDecode,t:lowercase"
--REQUEST--
GET /?x=Jmx0O1NDUklQVCZndDs= HTTP/1.1
Host: localhost

--EXPECT--
intercepted 1
rule-id 2401
