# REQUEST_HEADERS by name (case-insensitive), REQUEST_HEADERS_NAMES,
# REQUEST_COOKIES, REQUEST_LINE.
--CONF--
SecRuleEngine On
SecRule REQUEST_HEADERS:x-forwarded-for "@ipMatch 10.0.0.0/8" "id:8001,phase:1,pass,log"
SecRule REQUEST_HEADERS_NAMES "@streq X-Debug" "id:8002,phase:1,pass,log"
SecRule REQUEST_COOKIES:session "@rx ^[a-f0-9]+$" "id:8003,phase:1,pass,log"
SecRule REQUEST_LINE "@streq GET /a?b=c HTTP/1.1" "id:8004,phase:1,pass,log"
--REQUEST--
GET /a?b=c HTTP/1.1
Host: localhost
X-Forwarded-For: 10.1.2.3
X-Debug: 1
Cookie: session=deadbeef; theme=dark

--EXPECT--
id 8001
log-contains IPmatch: "10\.1\.2\.3" matched at REQUEST_HEADERS:X-Forwarded-For\.
id 8002
log-contains String match "X-Debug" at REQUEST_HEADERS_NAMES:X-Debug\.
id 8003
id 8004
