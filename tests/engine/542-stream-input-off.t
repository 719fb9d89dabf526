# Without SecStreamInBodyInspection On there is no STREAM_INPUT_BODY and
# the body reaches the handler as sent.
--CONF--
SecRuleEngine On
SecRequestBodyAccess On
SecRule STREAM_INPUT_BODY "@rx ^" "id:5221,phase:2,pass,log,msg:'exists'"
SecRule STREAM_INPUT_BODY "@rsub s/1/2/" "id:5222,phase:2,pass,log"
SecRule ARGS_POST:a "@streq 1" "id:5223,phase:2,pass,log,msg:'phase 2 ran'"
--REQUEST--
POST /form HTTP/1.1
Host: localhost
Content-Type: application/x-www-form-urlencoded

a=1&b=2
--EXPECT--
no-id 5221
no-id 5222
id 5223
request-body a=1&b=2
