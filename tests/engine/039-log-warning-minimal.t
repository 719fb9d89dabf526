# A pass rule with only an id: "Warning.", and the fields it does not have
# are left out.
--CONF--
SecRuleEngine On
SecRule REQUEST_HEADERS:User-Agent "@contains curl" "id:3901,phase:1,pass,log"
--REQUEST--
GET /x/y?z=1 HTTP/1.1
Host: localhost
User-Agent: curl/8.0

--EXPECT--
intercepted 0
log-contains ^ModSecurity: Warning\. String match "curl" at REQUEST_HEADERS:User-Agent\. \[file "[^"]*/main\.conf"\] \[line "2"\] \[id "3901"\] \[hostname "localhost"\] \[uri "/x/y"\] \[unique_id "[^"]+"\]$
