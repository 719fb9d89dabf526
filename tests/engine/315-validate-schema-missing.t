# @validateSchema with a schema file that does not exist: libxml2's error
# at level 3, then "Rule processing failed"; no interception.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecXmlExternalEntity On
SecRule REQUEST_HEADERS:Content-Type "^text/xml$" "id:3151,phase:1,t:none,t:lowercase,nolog,pass,ctl:requestBodyProcessor=XML"
SecRule XML "@validateSchema /nonexistent/order.xsd" "id:3152,phase:2,deny,log"
--REQUEST--
POST /index.html HTTP/1.1
Host: localhost
Content-Type: text/xml

<order/>
--EXPECT--
intercepted 0
log-contains ^ModSecurity: Failed to locate the main schema resource at '/nonexistent/order\.xsd'\. \[hostname
log-contains ^ModSecurity: Rule processing failed \(id=3152, msg=\)\. \[hostname
