# @validateDTD: libxml2's reasons go to the error log (2.9 level 3), and
# the rule matches with "XML: DTD validation failed.".
--FILE envelope.dtd--
<!-- A small DTD for a SOAP-like envelope -->
<!ELEMENT Envelope (Header?,Body)>
<!ELEMENT Header (#PCDATA)>
<!ELEMENT Body (getInput)>
<!ELEMENT getInput (id)>
<!ELEMENT id (#PCDATA)>
<!ATTLIST id type CDATA #REQUIRED>
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecXmlExternalEntity On
SecRule REQUEST_HEADERS:Content-Type "^text/xml$" "id:3111,phase:1,t:none,t:lowercase,nolog,pass,ctl:requestBodyProcessor=XML"
SecRule XML "@validateDTD @DIR@/envelope.dtd" "id:3112,phase:2,deny,log"
--REQUEST--
POST /index.html HTTP/1.1
Host: localhost
Content-Type: text/xml

<?xml version="1.0"?>
<Envelope><xBody><getInput><id type="string">12123</id></getInput></xBody></Envelope>
--EXPECT--
status 403
rule-id 3112
log-contains ^ModSecurity: Element Envelope content does not follow the DTD, expecting \(Header\? , Body\), got \(xBody\) \[hostname "localhost"\]
log-contains ^ModSecurity: No declaration for element xBody \[hostname
log-contains Access denied with code 403 \(phase 2\)\. XML: DTD validation failed\. \[file
