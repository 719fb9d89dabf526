# CRS 4: REQUEST_BODY_LENGTH, the bytes of the request body (phase 2), as a
# number for @gt and as text in a macro.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_BODY_LENGTH "@gt 20" "id:40401,phase:2,pass,log,setvar:'tx.body_length=%{REQUEST_BODY_LENGTH}'"
SecRule REQUEST_BODY_LENGTH "@eq 27" "id:40402,phase:2,pass,log"
SecRule REQUEST_BODY_LENGTH "@gt 27" "id:40403,phase:2,pass,log"
--REQUEST--
POST /form HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

name=alice&comment=hello!!!
--EXPECT--
intercepted 0
id 40401
id 40402
no-id 40403
tx body_length 27
log-contains Operator EQ matched 27 at REQUEST_BODY_LENGTH\.
