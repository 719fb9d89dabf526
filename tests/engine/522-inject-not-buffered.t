# A response body that is not buffered (its type is not in
# SecResponseBodyMimeType): what phases 1-3 injected still goes around it;
# a phase 4 append is taken too late (2.9 reads it at EOS, before phase 4).
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecContentInjection On
SecAction "id:5021,phase:3,pass,nolog,prepend:'[3]'"
SecAction "id:5022,phase:4,pass,nolog,append:'[4]'"
--REQUEST--
GET /data.bin HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: application/octet-stream

binary body
--EXPECT--
intercepted 0
response-body [3]binary body
