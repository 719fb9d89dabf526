# SecRequestBodyNoFilesLimit and MULTIPART: a 300-byte text part under a
# 200-byte limit is refused with 413 and 2.9's message, before phase 2.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyNoFilesLimit 200
SecRule ARGS "@unconditionalMatch" "id:9011,phase:2,pass,log"
--REQUEST--
POST /upload HTTP/1.1
Host: localhost
Content-Type: multipart/form-data; boundary=XyZ

--XyZ
Content-Disposition: form-data; name="upload"; filename="a.bin"

small file
--XyZ
Content-Disposition: form-data; name="text"

tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt
--XyZ--
--EXPECT--
intercepted 1
status 413
no-id 9011
log-contains ^ModSecurity: Request body no files data length is larger than the configured limit \(200\)\.
