# @validateSchema: a valid document does not match.
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
SecRule REQUEST_HEADERS:Content-Type "^text/xml$" "id:3131,phase:1,t:none,t:lowercase,nolog,pass,ctl:requestBodyProcessor=XML"
SecRule XML "@validateSchema @DIR@/order.xsd" "id:3132,phase:2,deny,log"
--REQUEST--
POST /index.html HTTP/1.1
Host: localhost
Content-Type: text/xml

<order qty="2"><item>a</item><item>b</item></order>
--EXPECT--
intercepted 0
no-id 3132
