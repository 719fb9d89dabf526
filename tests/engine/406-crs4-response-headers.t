# CRS 4: RESPONSE_HEADERS in phase 3 (names case-insensitive, a regular
# expression selector, the count) and RESPONSE_HEADERS_NAMES.  (Not
# Content-Type: in httpd ModSecurity 2.9 has it in RESPONSE_HEADERS only
# when the handler put it in headers_out, e.g. a CGI's is not.)
--CONF--
SecRuleEngine On
SecRule RESPONSE_HEADERS:x-powered-by "@beginsWith PHP/" "id:40601,phase:3,pass,log"
SecRule RESPONSE_HEADERS:/^X-Powered/ "@rx PHP/\d" "id:40602,phase:3,pass,log"
SecRule &RESPONSE_HEADERS:X-Powered-By "@eq 1" "id:40603,phase:3,pass,log"
SecRule RESPONSE_HEADERS_NAMES "@streq X-Debug-Token" "id:40604,phase:3,pass,log"
SecRule RESPONSE_HEADERS:X-Debug-Token "@rx ^[a-f0-9]{6}$" "id:40605,phase:3,deny,status:500,log,msg:'debug token leaked'"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html; charset=utf-8
X-Powered-By: PHP/8.2.7
X-Debug-Token: a1b2c3

<html>ok</html>
--EXPECT--
id 40601
log-contains String match "PHP/" at RESPONSE_HEADERS:X-Powered-By\.
id 40602
log-contains at RESPONSE_HEADERS:X-Powered-By\.
id 40603
id 40604
intercepted 1
phase 3
status 500
rule-id 40605
