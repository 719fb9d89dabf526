# Without SecXmlExternalEntity On, 2.9.7 cannot load the DTD or schema
# while it validates (its XML parser replaces libxml2's file loader for the
# process): both operators fail, "Rule processing failed", no interception.
--FILE e.dtd--
<!ELEMENT a (#PCDATA)>
--FILE e.xsd--
<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:string"/></xs:schema>
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^text/xml$" "id:3171,phase:1,t:none,t:lowercase,nolog,pass,ctl:requestBodyProcessor=XML"
SecRule XML "@validateDTD @DIR@/e.dtd" "id:3172,phase:2,deny,log"
SecRule XML "@validateSchema @DIR@/e.xsd" "id:3173,phase:2,deny,log"
--REQUEST--
POST /index.html HTTP/1.1
Host: localhost
Content-Type: text/xml

<b>x</b>
--EXPECT--
intercepted 0
log-contains ^ModSecurity: Rule processing failed \(id=3172, msg=\)\.
log-contains ^ModSecurity: Failed to locate the main schema resource at '.*/e\.xsd'\. \[hostname
log-contains ^ModSecurity: Rule processing failed \(id=3173, msg=\)\.
