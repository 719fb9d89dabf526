# @validateDTD without an XML document (no XML body processor): an
# operator error, "Rule processing failed".
--FILE e.dtd--
<!ELEMENT a (#PCDATA)>
--CONF--
SecRuleEngine On
SecRule ARGS "@validateDTD @DIR@/e.dtd" "id:3161,phase:2,deny,log"
--REQUEST--
GET /index.html?a=1 HTTP/1.1
Host: localhost

--EXPECT--
intercepted 0
log-contains ^ModSecurity: Rule processing failed \(id=3161, msg=\)\.
