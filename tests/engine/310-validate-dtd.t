# @validateDTD: a document that follows the DTD does not match.
--FILE xml/envelope.dtd--
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
SecRule REQUEST_HEADERS:Content-Type "^text/xml$" "id:3101,phase:1,t:none,t:lowercase,nolog,pass,ctl:requestBodyProcessor=XML"
SecRule XML "@validateDTD @DIR@/xml/envelope.dtd" "id:3102,phase:2,deny,log"
--REQUEST--
POST /index.html HTTP/1.1
Host: localhost
Content-Type: text/xml

<?xml version="1.0"?>
<Envelope><Body><getInput><id type="string">12123</id></getInput></Body></Envelope>
--EXPECT--
intercepted 0
no-id 3102
no-log-contains Rule processing failed
