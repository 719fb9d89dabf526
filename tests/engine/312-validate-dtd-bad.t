# @validateDTD with a DTD that does not load: the configuration loads, the
# rule fails at request time ("Rule processing failed", error log) and the
# request goes on, as in 2.9.
--FILE bad.dtd--
<!ELEMENT Envelope (Body)>
<!ATLIST id type CDATA #REQUIRED>
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecXmlExternalEntity On
SecRule REQUEST_HEADERS:Content-Type "^text/xml$" "id:3121,phase:1,t:none,t:lowercase,nolog,pass,ctl:requestBodyProcessor=XML"
SecRule XML "@validateDTD @DIR@/bad.dtd" "id:3122,phase:2,deny,log,msg:'DTD check'"
SecRule REQUEST_URI "@rx ." "id:3123,phase:2,pass,log,msg:'next rule runs'"
--REQUEST--
POST /index.html HTTP/1.1
Host: localhost
Content-Type: text/xml

<?xml version="1.0"?>
<Envelope><Body/></Envelope>
--EXPECT--
intercepted 0
log-contains ^ModSecurity: Rule processing failed \(id=3122, msg=DTD check\)\. \[hostname
id 3123
