# @validateSchema: an invalid attribute value and an unexpected element;
# libxml2's reasons reach the error log before the match.
--FILE order.xsd--
<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="order">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="item" type="xs:string" maxOccurs="3"/>
      </xs:sequence>
      <xs:attribute name="qty" type="xs:positiveInteger"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecXmlExternalEntity On
SecRule REQUEST_HEADERS:Content-Type "^text/xml$" "id:3141,phase:1,t:none,t:lowercase,nolog,pass,ctl:requestBodyProcessor=XML"
SecRule XML "@validateSchema @DIR@/order.xsd" "id:3142,phase:2,deny,status:406,log"
--REQUEST--
POST /index.html HTTP/1.1
Host: localhost
Content-Type: text/xml

<order qty="-1"><item>a</item><price>3</price></order>
--EXPECT--
status 406
log-contains ^ModSecurity: Element 'order', attribute 'qty': '-1' is not a valid value of the atomic type 'xs:positiveInteger'\. \[hostname
log-contains ^ModSecurity: Element 'price': This element is not expected\. \[hostname
log-contains Access denied with code 406 \(phase 2\)\. XML: Schema validation failed\. \[file
