# SecStreamOutBodyInspection On: @rsub on STREAM_OUTPUT_BODY rewrites the
# response body the client gets (with SecContentInjection On); every
# match is replaced, and the operator "matches" ("Operator rsub
# succeeded.").  RESPONSE_BODY keeps the original.
--CONF--
SecRuleEngine On
SecResponseBodyAccess On
SecStreamOutBodyInspection On
SecContentInjection On
SecRule STREAM_OUTPUT_BODY "@rsub s/secret-[0-9]+/[removed]/" "id:5101,phase:4,pass,log,msg:'rewritten'"
SecRule RESPONSE_BODY "@contains secret-42" "id:5102,phase:4,pass,log,msg:'original kept'"
SecRule STREAM_OUTPUT_BODY "@contains [removed] and [removed]" "id:5103,phase:4,pass,log,msg:'rewrite seen'"
--REQUEST--
GET /page HTTP/1.1
Host: localhost

--RESPONSE--
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>key secret-42 and secret-7</body></html>
--EXPECT--
intercepted 0
log-contains Warning\. Operator rsub succeeded\. .*\[id "5101"\]
id 5102
id 5103
response-body <html><body>key [removed] and [removed]</body></html>
