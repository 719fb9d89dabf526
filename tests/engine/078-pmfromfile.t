# @pmFromFile reads phrases from a file next to the configuration file.
--CONF--
SecRuleEngine On
SecRule REQUEST_HEADERS:User-Agent "@pmFromFile bad-agents.txt" "id:7801,phase:1,deny,log,t:lowercase"
--FILE bad-agents.txt--
# scanners
nikto
sqlmap
--REQUEST--
GET / HTTP/1.1
Host: localhost
User-Agent: Mozilla/5.00 (Nikto/2.1.6)

--EXPECT--
intercepted 1
rule-id 7801
log-contains Matched phrase "nikto" at REQUEST_HEADERS:User-Agent\.
