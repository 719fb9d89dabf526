# A body over SecRequestBodyLimit is rejected with 413 (Reject, engine On).
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 16
SecRequestBodyLimitAction Reject
SecRule ARGS "@rx attack" "id:8501,phase:2,deny,log"
--REQUEST--
POST /upload HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

a=1234567890&b=1234567890&c=attack
--EXPECT--
intercepted 1
status 413
no-id 8501
log-contains ^ModSecurity: Request body \(Content-Length\) is larger than the configured limit \(16\)\.
