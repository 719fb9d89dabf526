# SecStreamInBodyInspection On: @rsub on STREAM_INPUT_BODY in phase 2
# rewrites the request body the handler reads.  ARGS_POST and
# REQUEST_BODY keep what the client sent.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecStreamInBodyInspection On
SecRule STREAM_INPUT_BODY "@rsub s/password=[^&]*/password=hidden/" "id:5201,phase:2,pass,log"
SecRule ARGS_POST:password "@streq s3cr3t" "id:5202,phase:2,pass,log,msg:'ARGS_POST unchanged'"
SecRule STREAM_INPUT_BODY "@contains password=hidden" "id:5203,phase:2,pass,log,msg:'rewrite seen'"
--REQUEST--
POST /login HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

user=bob&password=s3cr3t&next=/
--EXPECT--
intercepted 0
id 5201
id 5202
id 5203
request-body user=bob&password=hidden&next=/
