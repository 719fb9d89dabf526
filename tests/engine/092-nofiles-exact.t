# 2.9 refuses once the no-files count reaches the limit (">="): 100 here.
# MULTIPART counts the header line (40 bytes and its LF), the empty line
# ending the headers and the value (its last line break belongs to the
# boundary); URLENCODED counts every byte.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyNoFilesLimit 100
SecRule ARGS "@unconditionalMatch" "id:9021,phase:2,pass,log"
--REQUEST--
POST /upload HTTP/1.1
Host: localhost
Content-Type: multipart/form-data; boundary=XyZ

--XyZ
Content-Disposition: form-data; name="a"

vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv
--XyZ--
--EXPECT--
# 41 + 1 + 57 = 99
intercepted 0
id 9021
--REQUEST--
POST /upload HTTP/1.1
Host: localhost
Content-Type: multipart/form-data; boundary=XyZ

--XyZ
Content-Disposition: form-data; name="a"

vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv
--XyZ--
--EXPECT--
# 41 + 1 + 58 = 100
intercepted 1
status 413
no-id 9021
log-contains no files data length is larger than the configured limit \(100\)
--REQUEST--
POST /form HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
--EXPECT--
intercepted 0
id 9021
--REQUEST--
POST /form HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
--EXPECT--
intercepted 1
status 413
no-id 9021
log-contains no files data length is larger than the configured limit \(100\)
