# Phase 3 sees the response headers, phase 4 the response body.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecResponseBodyMimeType text/html text/plain
SecRule RESPONSE_HEADERS:X-Powered-By "@contains PHP" "id:7201,phase:3,pass,log"
SecRule RESPONSE_BODY "@contains ORA-00933" "id:7202,phase:4,deny,log,msg:'SQL error leak'"
--REQUEST--
GET /report HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html
X-Powered-By: PHP/8.2

<html>ORA-00933: SQL command not properly ended</html>
--EXPECT--
id 7201
intercepted 1
phase 4
rule-id 7202
log-contains Access denied with code 403 \(phase 4\)\. String match "ORA-00933" at RESPONSE_BODY\.
